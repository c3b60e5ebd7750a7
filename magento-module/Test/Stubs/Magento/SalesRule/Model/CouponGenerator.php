<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\SalesRule\Model;

/**
 * Test stand-in for Magento's coupon code generator (the method this module uses; tests mock it).
 */
class CouponGenerator
{
    /**
     * Generate codes for a rule (rule_id, qty, length, format, delimiter, delimiter_at_every); return them.
     *
     * @param array $parameters
     * @return string[]
     */
    public function generateCodes(array $parameters)
    {
        throw new \LogicException('Test stand-in: mock CouponGenerator.');
    }
}
