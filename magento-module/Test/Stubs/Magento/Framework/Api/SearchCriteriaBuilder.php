<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's search criteria builder (the methods this module uses; tests mock it).
 */
class SearchCriteriaBuilder
{
    /**
     * Add a filter in a group of its own.
     *
     * @param string $field
     * @param mixed $value
     * @param string $conditionType
     * @return $this
     */
    public function addFilter($field, $value, $conditionType = 'eq')
    {
        return $this;
    }

    /**
     * Add a sort order.
     *
     * @param \Magento\Framework\Api\SortOrder $sortOrder
     * @return $this
     */
    public function addSortOrder($sortOrder)
    {
        return $this;
    }

    /**
     * Set the page size.
     *
     * @param int $pageSize
     * @return $this
     */
    public function setPageSize($pageSize)
    {
        return $this;
    }

    /**
     * Set the 1-based page.
     *
     * @param int $currentPage
     * @return $this
     */
    public function setCurrentPage($currentPage)
    {
        return $this;
    }

    /**
     * Build the criteria and start afresh.
     *
     * @return \Magento\Framework\Api\SearchCriteria
     */
    public function create()
    {
        return null;
    }
}
