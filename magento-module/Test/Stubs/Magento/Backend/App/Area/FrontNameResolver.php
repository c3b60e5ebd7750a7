<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\App\Area;

/**
 * Test stand-in for Magento's admin frontName resolver.
 */
class FrontNameResolver
{
    /**
     * Return the admin area frontName (custom admin path when configured).
     *
     * @param bool $checkHost
     * @return bool|string
     */
    public function getFrontName($checkHost = false)
    {
        return 'admin';
    }
}
