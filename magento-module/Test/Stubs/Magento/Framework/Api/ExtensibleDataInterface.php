<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Api;

/**
 * Test stand-in for Magento's extensible data interface.
 */
interface ExtensibleDataInterface
{
    public const EXTENSION_ATTRIBUTES_KEY = 'extension_attributes';
}
