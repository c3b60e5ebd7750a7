<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's interface of data objects with custom attributes.
 */
interface CustomAttributesDataInterface extends ExtensibleDataInterface
{
    public const CUSTOM_ATTRIBUTES = 'custom_attributes';

    /**
     * Return an attribute value for a given attribute code.
     *
     * @param string $attributeCode
     * @return \Magento\Framework\Api\AttributeInterface|null
     */
    public function getCustomAttribute($attributeCode);

    /**
     * Set an attribute value for a given attribute code.
     *
     * @param string $attributeCode
     * @param mixed $attributeValue
     * @return $this
     */
    public function setCustomAttribute($attributeCode, $attributeValue);

    /**
     * Return the custom attribute values.
     *
     * @return \Magento\Framework\Api\AttributeInterface[]|null
     */
    public function getCustomAttributes();

    /**
     * Set the custom attribute values.
     *
     * @param \Magento\Framework\Api\AttributeInterface[] $attributes
     * @return $this
     */
    public function setCustomAttributes(array $attributes);
}
