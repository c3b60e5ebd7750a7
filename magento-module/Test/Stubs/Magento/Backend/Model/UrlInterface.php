<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\Model;

/**
 * Test stand-in for the admin URL builder (the method this module plugs into).
 */
interface UrlInterface
{
    /**
     * Return the route path of the admin startup page, e.g. "admin/dashboard".
     *
     * @return string
     */
    public function getStartupPageUrl();
}
