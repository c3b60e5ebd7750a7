<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App;

/**
 * Test stand-in for Magento's application state: the mode names and getMode() (tests mock it).
 */
class State
{
    public const MODE_DEVELOPER = 'developer';

    public const MODE_PRODUCTION = 'production';

    public const MODE_DEFAULT = 'default';

    /**
     * Return the application mode.
     *
     * @return string
     */
    public function getMode()
    {
        return self::MODE_DEFAULT;
    }
}
