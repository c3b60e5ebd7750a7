<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App\Config;

use Magento\Framework\App\Cache\TypeListInterface;
use Magento\Framework\Data\Collection\AbstractDb;
use Magento\Framework\DataObject;
use Magento\Framework\Model\Context;
use Magento\Framework\Model\ResourceModel\AbstractResource;
use Magento\Framework\Registry;

/**
 * Test stand-in for Magento's config value model: value, path, old value and the save hooks.
 */
class Value extends DataObject
{
    /**
     * @var ScopeConfigInterface
     */
    protected $_config; // phpcs:ignore PSR2.Classes.PropertyDeclaration.Underscore

    /**
     * @var TypeListInterface
     */
    protected $cacheTypeList;

    /**
     * Keep the dependencies Magento's constructor takes.
     *
     * @param Context $context
     * @param Registry $registry
     * @param ScopeConfigInterface $config
     * @param TypeListInterface $cacheTypeList
     * @param AbstractResource|null $resource
     * @param AbstractDb|null $resourceCollection
     * @param array $data
     */
    public function __construct(
        Context $context,
        Registry $registry,
        ScopeConfigInterface $config,
        TypeListInterface $cacheTypeList,
        ?AbstractResource $resource = null,
        ?AbstractDb $resourceCollection = null,
        array $data = []
    ) {
        $this->_config = $config;
        $this->cacheTypeList = $cacheTypeList;
        parent::__construct($data);
    }

    /**
     * Return the value being saved.
     *
     * @return mixed
     */
    public function getValue()
    {
        return $this->getData('value');
    }

    /**
     * Set the value being saved.
     *
     * @param mixed $value
     * @return $this
     */
    public function setValue($value)
    {
        return $this->setData('value', $value);
    }

    /**
     * Tell whether the value differs from the saved one.
     *
     * @return bool
     */
    public function isValueChanged()
    {
        return $this->getValue() != $this->getOldValue();
    }

    /**
     * Return the value currently saved for this path.
     *
     * @return string
     */
    public function getOldValue()
    {
        return (string) $this->_config->getValue($this->getData('path'));
    }

    /**
     * Hook run before saving.
     *
     * @return $this
     */
    public function beforeSave()
    {
        return $this;
    }

    /**
     * Hook run after saving: invalidate caches when the value changed.
     *
     * @return $this
     */
    public function afterSave()
    {
        if ($this->isValueChanged()) {
            $this->cacheTypeList->invalidate('config');
        }
        return $this;
    }
}
