<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\ResourceModel\Order;

/**
 * Test stand-in for Magento's generated order collection factory.
 */
class CollectionFactory
{
    /**
     * Create a collection.
     *
     * @param array $data
     * @return \Magento\Sales\Model\ResourceModel\Order\Collection
     */
    public function create(array $data = [])
    {
        return new Collection();
    }
}
