<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Data;

use Gladly\Connector\Api\Data\OrderStatusLabelInterface;

/**
 * Immutable order status label: store view, status code and label.
 */
class OrderStatusLabel implements OrderStatusLabelInterface
{
    private int $storeId;

    private string $code;

    private string $label;

    /**
     * Capture the three fields.
     *
     * @param int $storeId
     * @param string $code
     * @param string $label
     */
    public function __construct(int $storeId, string $code, string $label)
    {
        $this->storeId = $storeId;
        $this->code = $code;
        $this->label = $label;
    }

    /**
     * @inheritdoc
     */
    public function getStoreId(): int
    {
        return $this->storeId;
    }

    /**
     * @inheritdoc
     */
    public function getCode(): string
    {
        return $this->code;
    }

    /**
     * @inheritdoc
     */
    public function getLabel(): string
    {
        return $this->label;
    }
}
