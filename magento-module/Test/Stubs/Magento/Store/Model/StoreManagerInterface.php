<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Store\Model;

/**
 * Test stand-in for Magento's store manager (the methods this module uses).
 */
interface StoreManagerInterface
{
    /**
     * Return the default store view, or null when there is none.
     *
     * @return \Magento\Store\Api\Data\StoreInterface|null
     */
    public function getDefaultStoreView();

    /**
     * Return a store view by id or code (the current one by default).
     *
     * @param null|string|bool|int|\Magento\Store\Api\Data\StoreInterface $storeId
     * @return \Magento\Store\Api\Data\StoreInterface
     */
    public function getStore($storeId = null);
}
