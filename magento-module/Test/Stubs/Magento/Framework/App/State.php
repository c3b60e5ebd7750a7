<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App;

/**
 * Test stand-in for Magento's application state (the deploy mode part this module uses).
 */
class State
{
    public const MODE_DEVELOPER = 'developer';

    public const MODE_PRODUCTION = 'production';

    public const MODE_DEFAULT = 'default';

    private string $mode;

    /**
     * Keep the mode, as Magento's constructor does after its configuration scope.
     *
     * @param mixed $configScope
     * @param string $mode
     */
    public function __construct($configScope = null, string $mode = self::MODE_DEFAULT)
    {
        $this->mode = $mode;
    }

    /**
     * Return the deploy mode: developer, production or default.
     *
     * @return string
     */
    public function getMode()
    {
        return $this->mode;
    }
}
