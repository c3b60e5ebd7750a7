<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\ResourceModel\Order;

/**
 * Test stand-in for Magento's order collection (the methods this module uses; tests mock it).
 */
class Collection
{
    /**
     * Select columns.
     *
     * @param string|array $field
     * @param string|null $alias
     * @return $this
     */
    public function addFieldToSelect($field, $alias = null)
    {
        return $this;
    }

    /**
     * Filter on a column.
     *
     * @param string|array $field
     * @param mixed $condition
     * @return $this
     */
    public function addFieldToFilter($field, $condition = null)
    {
        return $this;
    }

    /**
     * Sort on a column.
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
     * Return the selected rows.
     *
     * @return array
     */
    public function getData()
    {
        return [];
    }
}
