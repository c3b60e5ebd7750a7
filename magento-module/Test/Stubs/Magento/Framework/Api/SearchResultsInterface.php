<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's search results (the getters this module uses).
 */
interface SearchResultsInterface
{
    /**
     * Return the items found.
     *
     * @return \Magento\Framework\Api\ExtensibleDataInterface[]
     */
    public function getItems();

    /**
     * Return how many match, on every page.
     *
     * @return int
     */
    public function getTotalCount();
}
