<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Api\Data;

/**
 * Test stand-in for Magento's order item data interface (the getters this module uses).
 */
interface OrderItemInterface
{
    /**
     * Return the parent line's id, for a configurable product's child line.
     *
     * @return int|null
     */
    public function getParentItemId();

    /**
     * Return the catalog product's id.
     *
     * @return int|null
     */
    public function getProductId();
}
