<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\ResourceModel\Order\Status;

/**
 * Test stand-in for Magento's generated factory of the order status collection.
 */
class CollectionFactory
{
    /**
     * Create a collection.
     *
     * @param array<string, mixed> $data
     * @return Collection
     */
    public function create(array $data = [])
    {
        return new Collection();
    }
}
