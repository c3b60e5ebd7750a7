<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's custom attribute value factory.
 */
class AttributeValueFactory
{
    /**
     * Create an empty attribute value.
     *
     * @return \Magento\Framework\Api\AttributeValue
     */
    public function create()
    {
        return new AttributeValue();
    }
}
