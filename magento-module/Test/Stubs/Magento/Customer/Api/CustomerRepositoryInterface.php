<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Customer\Api;

/**
 * Test stand-in for Magento's customer repository (the methods this module uses).
 */
interface CustomerRepositoryInterface
{
    /**
     * Load a customer; NoSuchEntityException when missing.
     *
     * @param int $customerId
     * @return \Magento\Customer\Api\Data\CustomerInterface
     */
    public function getById($customerId);
}
