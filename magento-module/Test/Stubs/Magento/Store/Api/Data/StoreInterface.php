<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Store\Api\Data;

/**
 * Test stand-in for Magento's store view data interface (the methods this module uses).
 */
interface StoreInterface
{
    /**
     * Return the store view id.
     *
     * @return int
     */
    public function getId();

    /**
     * Return the id of the store view's website.
     *
     * @return int
     */
    public function getWebsiteId();
}
