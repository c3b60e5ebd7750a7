<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App\Cache;

/**
 * Test stand-in for Magento's cache type list.
 */
interface TypeListInterface
{
    /**
     * Mark cache types as invalidated.
     *
     * @param string|string[] $typeCode
     * @return void
     */
    public function invalidate($typeCode);
}
