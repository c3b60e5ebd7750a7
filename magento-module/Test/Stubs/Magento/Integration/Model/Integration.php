<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Integration\Model;

use Magento\Framework\DataObject;

/**
 * Test stand-in for Magento's integration model (field constants, data access, id).
 */
class Integration extends DataObject
{
    public const ID = 'integration_id';
    public const NAME = 'name';
    public const EMAIL = 'email';
    public const ENDPOINT = 'endpoint';
    public const IDENTITY_LINK_URL = 'identity_link_url';
    public const SETUP_TYPE = 'setup_type';
    public const CONSUMER_ID = 'consumer_id';
    public const STATUS = 'status';

    /**
     * Return the integration id, or null for an integration that was not found.
     *
     * @return mixed
     */
    public function getId()
    {
        return $this->getData(self::ID);
    }
}
