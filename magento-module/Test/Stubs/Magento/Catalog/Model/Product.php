<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Catalog\Model;

use Magento\Framework\DataObject;

/**
 * Test stand-in for Magento's catalog product model (the methods this module uses; tests build it with data).
 */
class Product extends DataObject
{
    /**
     * Return the product's id.
     *
     * @return int|string|null
     */
    public function getId()
    {
        return $this->getData('entity_id');
    }
}
