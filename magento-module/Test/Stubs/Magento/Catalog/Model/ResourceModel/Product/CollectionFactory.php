<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Catalog\Model\ResourceModel\Product;

/**
 * Test stand-in for the product collection factory Magento generates.
 */
class CollectionFactory
{
    /**
     * Create a collection.
     *
     * @param array $data
     * @return \Magento\Catalog\Model\ResourceModel\Product\Collection
     */
    public function create(array $data = [])
    {
        return new Collection();
    }
}
