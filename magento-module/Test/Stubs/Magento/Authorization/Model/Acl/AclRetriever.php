<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Authorization\Model\Acl;

/**
 * Test stand-in for Magento's ACL reader.
 */
class AclRetriever
{
    /**
     * Return the ACL resource ids allowed for a user.
     *
     * @param int $userType
     * @param int $userId
     * @return string[]
     */
    public function getAllowedResourcesByUser($userType, $userId)
    {
        return [];
    }
}
