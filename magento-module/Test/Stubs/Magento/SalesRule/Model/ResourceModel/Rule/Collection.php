<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\SalesRule\Model\ResourceModel\Rule;

use Magento\Framework\Data\Collection\AbstractDb;

/**
 * Test stand-in for Magento's cart price rule collection (the methods this module uses).
 */
class Collection extends AbstractDb
{
    /**
     * Add a field filter.
     *
     * @param string $field
     * @param mixed $condition
     * @return $this
     */
    public function addFieldToFilter($field, $condition = null)
    {
        return $this;
    }

    /**
     * Set the sort order.
     *
     * @param string $field
     * @param string $direction
     * @return $this
     */
    public function setOrder($field, $direction = 'DESC')
    {
        return $this;
    }

    /**
     * Return the loaded rules.
     *
     * @return \Magento\SalesRule\Model\Rule[]
     */
    public function getItems()
    {
        return [];
    }
}
