<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Data;

/**
 * Test stand-in for Magento's option source interface.
 */
interface OptionSourceInterface
{
    /**
     * Return options as value/label pairs.
     *
     * @return array
     */
    public function toOptionArray();
}
