<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api;

/**
 * Changes an order's shipping address before anything has shipped
 * (PUT /V1/gladly/orders/:orderId/shipping-address, ACL Gladly_Connector::order_address).
 *
 * @api
 */
interface ShippingAddressManagementInterface
{
    /**
     * Replace the shipping address of an order that has not shipped; record the change on the order.
     *
     * @param int $orderId The order's entity_id.
     * @param \Magento\Sales\Api\Data\OrderAddressInterface $address The new address: firstname, lastname,
     *     street, city, region (a region code or name of the country), postcode, country_id, telephone, company.
     * @param string $note Who changed it, appended to the order comment, e.g. "from Gladly by agent 7".
     * @return \Magento\Sales\Api\Data\OrderAddressInterface The saved shipping address.
     * @throws \Magento\Framework\Exception\NoSuchEntityException No such order.
     * @throws \Magento\Framework\Exception\LocalizedException The order cannot change its address.
     */
    public function update(
        int $orderId,
        \Magento\Sales\Api\Data\OrderAddressInterface $address,
        string $note = ''
    ): \Magento\Sales\Api\Data\OrderAddressInterface;
}
