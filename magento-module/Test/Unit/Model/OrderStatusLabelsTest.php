<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model;

use Gladly\Connector\Api\Data\OrderStatusLabelInterface;
use Gladly\Connector\Api\Data\OrderStatusLabelInterfaceFactory;
use Gladly\Connector\Model\Data\OrderStatusLabel;
use Gladly\Connector\Model\OrderStatusLabels;
use Gladly\Connector\Test\Unit\MagentoMocks;
use Magento\Sales\Model\Order\Status;
use Magento\Sales\Model\ResourceModel\Order\Status\Collection;
use Magento\Sales\Model\ResourceModel\Order\Status\CollectionFactory;
use PHPUnit\Framework\TestCase;

/**
 * Tests reading the order status labels the bridge shows agents.
 */
class OrderStatusLabelsTest extends TestCase
{
    use MagentoMocks;

    /**
     * Every status gives its own label under store 0, then one entry per store view label.
     *
     * @return void
     */
    public function testOwnLabelsThenStoreViewLabels(): void
    {
        $collection = $this->createMock(Collection::class);
        $collection->method('getItems')->willReturn([
            $this->status('holded', 'On Hold', []),
            $this->status('fraud', 'Suspected Fraud', [2 => 'Fraude suspectée']),
            $this->status('awaiting_stock', 'Awaiting Stock', ['1' => 'Waiting for stock', '3' => 'Wartet']),
        ]);
        $factory = $this->createMock(CollectionFactory::class);
        $factory->expects(self::once())->method('create')->willReturn($collection);

        $rows = array_map(
            static fn (OrderStatusLabelInterface $label): array => [
                $label->getStoreId(),
                $label->getCode(),
                $label->getLabel(),
            ],
            (new OrderStatusLabels(
                $factory,
                $this->dataFactory(OrderStatusLabelInterfaceFactory::class, OrderStatusLabel::class)
            ))->get()
        );

        self::assertSame([
            [0, 'holded', 'On Hold'],
            [0, 'fraud', 'Suspected Fraud'],
            [2, 'fraud', 'Fraude suspectée'],
            [0, 'awaiting_stock', 'Awaiting Stock'],
            [1, 'awaiting_stock', 'Waiting for stock'],
            [3, 'awaiting_stock', 'Wartet'],
        ], $rows);
    }

    /**
     * Build a status row (sales_order_status) with its store view labels (sales_order_status_label).
     *
     * @param string $code
     * @param string $label
     * @param array<int|string, string> $storeLabels
     * @return Status
     */
    private function status(string $code, string $label, array $storeLabels): Status
    {
        $status = $this->model(Status::class, ['status' => $code, 'label' => $label], ['getStoreLabels']);
        $status->method('getStoreLabels')->willReturn($storeLabels);
        return $status;
    }
}
