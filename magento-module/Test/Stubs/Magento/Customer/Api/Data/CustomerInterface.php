<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Customer\Api\Data;

/**
 * Test stand-in for Magento's customer data interface (passed through unread).
 */
interface CustomerInterface
{
}
