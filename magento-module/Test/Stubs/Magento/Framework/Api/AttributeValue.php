<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's custom attribute value.
 */
class AttributeValue implements AttributeInterface
{
    private array $data = [];

    /**
     * @inheritdoc
     */
    public function getAttributeCode()
    {
        return $this->data[self::ATTRIBUTE_CODE] ?? null;
    }

    /**
     * @inheritdoc
     */
    public function getValue()
    {
        return $this->data[self::VALUE] ?? null;
    }

    /**
     * @inheritdoc
     */
    public function setAttributeCode($attributeCode)
    {
        $this->data[self::ATTRIBUTE_CODE] = $attributeCode;
        return $this;
    }

    /**
     * @inheritdoc
     */
    public function setValue($value)
    {
        $this->data[self::VALUE] = $value;
        return $this;
    }
}
