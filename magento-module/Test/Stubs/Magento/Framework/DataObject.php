<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework;

/**
 * Test stand-in for Magento's data object: getData/setData plus magic getters and setters.
 */
class DataObject
{
    /**
     * @var array<string, mixed>
     */
    protected $_data = []; // phpcs:ignore PSR2.Classes.PropertyDeclaration.Underscore

    /**
     * Keep the initial data.
     *
     * @param array<string, mixed> $data
     */
    public function __construct(array $data = [])
    {
        $this->_data = $data;
    }

    /**
     * Return one field, or all data when the key is empty.
     *
     * @param string $key
     * @param string|int|null $index
     * @return mixed
     */
    public function getData($key = '', $index = null)
    {
        if ($key === '') {
            return $this->_data;
        }
        return $this->_data[$key] ?? null;
    }

    /**
     * Set one field, or replace all data when given an array.
     *
     * @param string|array<string, mixed> $key
     * @param mixed $value
     * @return $this
     */
    public function setData($key, $value = null)
    {
        if (is_array($key)) {
            $this->_data = $key;
        } else {
            $this->_data[$key] = $value;
        }
        return $this;
    }

    /**
     * Add fields to the data.
     *
     * @param array<string, mixed> $arr
     * @return $this
     */
    public function addData(array $arr)
    {
        foreach ($arr as $key => $value) {
            $this->setData($key, $value);
        }
        return $this;
    }

    /**
     * Map getFooBar()/setFooBar() to the foo_bar field.
     *
     * @param string $method
     * @param array<int, mixed> $args
     * @return mixed
     */
    public function __call($method, $args)
    {
        $key = strtolower((string) preg_replace('/(.)([A-Z])/', '$1_$2', substr($method, 3)));
        switch (substr($method, 0, 3)) {
            case 'get':
                return $this->getData($key);
            case 'set':
                return $this->setData($key, $args[0] ?? null);
        }
        throw new \BadMethodCallException('Invalid method ' . static::class . '::' . $method);
    }
}
