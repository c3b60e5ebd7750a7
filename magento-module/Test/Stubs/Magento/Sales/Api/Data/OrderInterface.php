<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Api\Data;

/**
 * Test stand-in for Magento's order data interface (the getters this module uses).
 */
interface OrderInterface
{
    public const ITEMS = 'items';
    public const STATUS_HISTORIES = 'status_histories';

    /**
     * Return the entity id.
     *
     * @return int|null
     */
    public function getEntityId();

    /**
     * Return the order number.
     *
     * @return string|null
     */
    public function getIncrementId();

    /**
     * Return the state.
     *
     * @return string|null
     */
    public function getState();

    /**
     * Tell whether nothing in the order ships.
     *
     * @return int|null
     */
    public function getIsVirtual();

    /**
     * Return the order's lines.
     *
     * @return \Magento\Sales\Api\Data\OrderItemInterface[]
     */
    public function getItems();

    /**
     * Return the amount refunded in the order's currency.
     *
     * @return float|null
     */
    public function getTotalRefunded();
}
