<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's sort order builder (the methods this module uses; tests mock it).
 */
class SortOrderBuilder
{
    /**
     * Set the field.
     *
     * @param string $field
     * @return $this
     */
    public function setField($field)
    {
        return $this;
    }

    /**
     * Sort descending.
     *
     * @return $this
     */
    public function setDescendingDirection()
    {
        return $this;
    }

    /**
     * Build the sort order.
     *
     * @return \Magento\Framework\Api\SortOrder
     */
    public function create()
    {
        return null;
    }
}
