<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\DeepLink;

/**
 * Decides where a Gladly deep link (gladlybridge/open/{order|customer}/id/{id}/) redirects to.
 */
class Resolver
{
    /**
     * Largest entity id Magento's unsigned int columns can hold.
     */
    private const MAX_ID = 4294967295;

    /**
     * Return the redirect for an order link: the order view, or the order grid when the id is invalid.
     *
     * @param mixed $rawId The "id" request parameter as received.
     * @return Redirect
     */
    public function forOrder($rawId): Redirect
    {
        $id = $this->parseId($rawId);
        return $id === null
            ? new Redirect('sales/order/index', [], false)
            : new Redirect('sales/order/view', ['order_id' => $id], true);
    }

    /**
     * Return the redirect for a customer link: the customer edit page, or the grid when the id is invalid.
     *
     * @param mixed $rawId The "id" request parameter as received.
     * @return Redirect
     */
    public function forCustomer($rawId): Redirect
    {
        $id = $this->parseId($rawId);
        return $id === null
            ? new Redirect('customer/index/index', [], false)
            : new Redirect('customer/index/edit', ['id' => $id], true);
    }

    /**
     * Return the id when it is a positive integer in decimal without sign or leading zeros, else null.
     *
     * @param mixed $rawId
     * @return int|null
     */
    public function parseId($rawId): ?int
    {
        if (is_int($rawId)) {
            $rawId = (string) $rawId;
        }
        if (!is_string($rawId) || preg_match('/^[1-9][0-9]{0,9}\z/', $rawId) !== 1) {
            return null;
        }
        $id = (int) $rawId;
        return $id <= self::MAX_ID ? $id : null;
    }
}
