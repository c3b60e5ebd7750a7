<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Catalog\Model\ResourceModel\Product;

/**
 * Test stand-in for Magento's product collection (the methods this module uses; tests mock it).
 */
class Collection
{
    /**
     * Keep the products of the given ids (or all others with $exclude).
     *
     * @param int|int[] $productId
     * @param bool $exclude
     * @return $this
     */
    public function addIdFilter($productId, $exclude = false)
    {
        return $this;
    }

    /**
     * Load the values of these attributes.
     *
     * @param array|string|int|\Magento\Framework\App\Config\Element $attribute
     * @param bool|string $joinType
     * @return $this
     */
    public function addAttributeToSelect($attribute, $joinType = false)
    {
        return $this;
    }

    /**
     * Return the loaded products.
     *
     * @return \Magento\Catalog\Model\Product[]
     */
    public function getItems()
    {
        return [];
    }
}
