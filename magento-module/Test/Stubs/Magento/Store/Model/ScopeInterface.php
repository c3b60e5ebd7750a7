<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Store\Model;

/**
 * Test stand-in for Magento's store scope names.
 */
interface ScopeInterface
{
    public const SCOPE_STORES = 'stores';
    public const SCOPE_WEBSITES = 'websites';
    public const SCOPE_STORE = 'store';
    public const SCOPE_GROUP = 'group';
    public const SCOPE_WEBSITE = 'website';
}
