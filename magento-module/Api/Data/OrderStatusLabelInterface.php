<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api\Data;

/**
 * One order status label as the bridge reads it in GET /V1/gladly/config ("order_statuses" items).
 *
 * @api
 */
interface OrderStatusLabelInterface
{
    /**
     * Return the store view the label is for; 0 for the status's own (admin) label ("store_id").
     *
     * @return int
     */
    public function getStoreId(): int;

    /**
     * Return the status code, e.g. "holded" ("code").
     *
     * @return string
     */
    public function getCode(): string;

    /**
     * Return the label the merchant sees, e.g. "On Hold" ("label").
     *
     * @return string
     */
    public function getLabel(): string;
}
