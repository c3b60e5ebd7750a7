<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Exception;

/**
 * Test stand-in for Magento's authorization exception (a 401 over the web API).
 */
class AuthorizationException extends LocalizedException
{
}
