<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Stdlib\DateTime;

/**
 * Test stand-in for Magento's timezone service (the part this module uses).
 */
interface TimezoneInterface
{
    /**
     * Return a date in the configured timezone (now, by default).
     *
     * @param mixed $date
     * @param string|null $locale
     * @param bool $useTimezone
     * @param bool $includeTime
     * @return \DateTime
     */
    public function date($date = null, $locale = null, $useTimezone = true, $includeTime = true);
}
