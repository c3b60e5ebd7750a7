<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Api\Data;

/**
 * Test stand-in for Magento's order payment interface (the methods this module uses).
 */
interface OrderPaymentInterface
{
    /**
     * Return the payment's additional information.
     *
     * @return string[]
     */
    public function getAdditionalInformation();
}
