<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's custom attribute value interface.
 */
interface AttributeInterface
{
    public const ATTRIBUTE_CODE = 'attribute_code';
    public const VALUE = 'value';

    /**
     * Return the attribute code.
     *
     * @return string
     */
    public function getAttributeCode();

    /**
     * Set the attribute code.
     *
     * @param string $attributeCode
     * @return $this
     */
    public function setAttributeCode($attributeCode);

    /**
     * Return the attribute value.
     *
     * @return mixed
     */
    public function getValue();

    /**
     * Set the attribute value.
     *
     * @param mixed $value
     * @return $this
     */
    public function setValue($value);
}
