<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Data;

use Gladly\Connector\Api\Data\OrderTotalInterface;

/**
 * The money fields of one order, from a row of sales_order (columns named as the fields).
 */
class OrderTotal implements OrderTotalInterface
{
    private array $row;

    /**
     * Keep the row; a column that is absent or NULL reads as null.
     *
     * @param array<string, string|int|float|null> $row
     */
    public function __construct(array $row)
    {
        $this->row = $row;
    }

    /**
     * @inheritdoc
     */
    public function getState(): ?string
    {
        return $this->text('state');
    }

    /**
     * @inheritdoc
     */
    public function getCreatedAt(): ?string
    {
        return $this->text('created_at');
    }

    /**
     * @inheritdoc
     */
    public function getStoreId(): ?int
    {
        return isset($this->row['store_id']) ? (int) $this->row['store_id'] : null;
    }

    /**
     * @inheritdoc
     */
    public function getGrandTotal(): ?float
    {
        return $this->amount('grand_total');
    }

    /**
     * @inheritdoc
     */
    public function getTotalRefunded(): ?float
    {
        return $this->amount('total_refunded');
    }

    /**
     * @inheritdoc
     */
    public function getBaseGrandTotal(): ?float
    {
        return $this->amount('base_grand_total');
    }

    /**
     * @inheritdoc
     */
    public function getBaseTotalRefunded(): ?float
    {
        return $this->amount('base_total_refunded');
    }

    /**
     * @inheritdoc
     */
    public function getOrderCurrencyCode(): ?string
    {
        return $this->text('order_currency_code');
    }

    /**
     * @inheritdoc
     */
    public function getBaseCurrencyCode(): ?string
    {
        return $this->text('base_currency_code');
    }

    /**
     * Read a text column.
     *
     * @param string $column
     * @return string|null
     */
    private function text(string $column): ?string
    {
        return isset($this->row[$column]) ? (string) $this->row[$column] : null;
    }

    /**
     * Read a decimal column as the float GET /V1/orders renders.
     *
     * @param string $column
     * @return float|null
     */
    private function amount(string $column): ?float
    {
        return isset($this->row[$column]) ? (float) $this->row[$column] : null;
    }
}
