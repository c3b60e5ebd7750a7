<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework;

/**
 * Test stand-in for Magento's ACL check.
 */
interface AuthorizationInterface
{
    /**
     * Tell whether the current user may use a resource.
     *
     * @param string $resource
     * @param string|null $privilege
     * @return bool
     */
    public function isAllowed($resource, $privilege = null);
}
