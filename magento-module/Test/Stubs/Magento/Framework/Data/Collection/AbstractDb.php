<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Data\Collection;

/**
 * Test stand-in for Magento's database collection base class.
 */
abstract class AbstractDb
{
}
