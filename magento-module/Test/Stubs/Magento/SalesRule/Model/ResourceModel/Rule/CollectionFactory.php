<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\SalesRule\Model\ResourceModel\Rule;

/**
 * Test stand-in for the generated factory of cart price rule collections.
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
