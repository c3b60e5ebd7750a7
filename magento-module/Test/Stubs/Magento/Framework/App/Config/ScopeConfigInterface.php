<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App\Config;

/**
 * Test stand-in for Magento's configuration reader (same public signature).
 */
interface ScopeConfigInterface
{
    public const SCOPE_TYPE_DEFAULT = 'default';

    /**
     * Return a configuration value.
     *
     * @param string $path
     * @param string $scopeType
     * @param null|int|string $scopeCode
     * @return mixed
     */
    public function getValue($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null);

    /**
     * Return a configuration flag.
     *
     * @param string $path
     * @param string $scopeType
     * @param null|int|string $scopeCode
     * @return bool
     */
    public function isSetFlag($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null);
}
