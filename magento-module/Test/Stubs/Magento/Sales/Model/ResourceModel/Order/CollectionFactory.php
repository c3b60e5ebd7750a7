<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\ResourceModel\Order;

/**
 * Test stand-in for Magento's order collection factory (hand-written in Magento_Sales: a customer id narrows it).
 */
class CollectionFactory
{
    /**
     * Create a collection.
     *
     * @param int|null $customerId
     * @return \Magento\Sales\Model\ResourceModel\Order\Collection
     */
    public function create($customerId = null)
    {
        return new Collection();
    }
}
