<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api;

/**
 * Reads in one request what the bridge's detailed lookup of one shopper needs (GET /V1/gladly/profile).
 *
 * @api
 */
interface ProfileReaderInterface
{
    /**
     * Return a customer's (customerId) or guest-only shopper's (email) newest orders and what they refer to.
     *
     * The same records, in the same REST shapes, as the stock routes the bridge would call otherwise:
     * GET /V1/customers/{id}, /V1/orders, /V1/shipments, /V1/creditmemos and /V1/products. The caller must be
     * granted every ACL resource those routes need; without customerId or email the profile is empty.
     *
     * @param int $customerId
     * @param string $email
     * @param int $orderLimit
     * @return \Gladly\Connector\Api\Data\ProfileInterface
     * @throws \Magento\Framework\Exception\AuthorizationException
     */
    public function get(int $customerId = 0, string $email = '', int $orderLimit = 20): Data\ProfileInterface;
}
