<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Profile;

use Gladly\Connector\Model\Profile\OrderLoader;
use Gladly\Connector\Test\Unit\Fake\FakeCollection;
use Magento\Directory\Model\RegionFactory;
use Magento\Directory\Model\ResourceModel\Region as RegionResource;
use Magento\Framework\DataObject;
use Magento\Framework\Serialize\Serializer\Json;
use Magento\Payment\Api\Data\PaymentAdditionalInfoInterfaceFactory;
use Magento\Sales\Api\Data\ShippingAssignmentInterfaceFactory;
use Magento\Sales\Api\Data\ShippingInterfaceFactory;
use Magento\Sales\Model\Order;
use Magento\Sales\Model\Order\Payment;
use Magento\Sales\Model\ResourceModel\Order\Address\CollectionFactory as AddressCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\CollectionFactory as OrderCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Item\CollectionFactory as ItemCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Payment\CollectionFactory as PaymentCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Shipment\CollectionFactory as ShipmentCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Shipment\Item\CollectionFactory as ShipmentItemCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Shipment\Track\CollectionFactory as TrackCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Status\History\CollectionFactory as HistoryCollectionFactory;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

/**
 * Tests the profile's order loader: each kind of record read once for all the orders, and handed to its order.
 */
class OrderLoaderTest extends TestCase
{
    /** @var array<string, FakeCollection> the collection each factory creates, by factory class */
    private array $collections = [];

    /** @var array<int, array{string, string}> the regions looked up by name: [country, stored region] */
    private array $regionLookups = [];

    /**
     * The loader under test, its factories creating $this->collections (an empty collection where none is set).
     *
     * @return OrderLoader
     */
    private function loader(): OrderLoader
    {
        $factories = [];
        foreach (
            [
                OrderCollectionFactory::class, ItemCollectionFactory::class, AddressCollectionFactory::class,
                PaymentCollectionFactory::class, HistoryCollectionFactory::class, ShipmentCollectionFactory::class,
                ShipmentItemCollectionFactory::class, TrackCollectionFactory::class,
            ] as $class
        ) {
            $this->collections[$class] = $this->collections[$class] ?? new FakeCollection();
            $factories[] = $this->creating($class, fn () => $this->collections[$class]);
        }
        $regions = $this->getMockBuilder(RegionResource::class)->disableOriginalConstructor()
            ->setMethods(['loadByName'])->getMock();
        $regions->method('loadByName')->willReturnCallback(function ($region, $name, $country) {
            $this->regionLookups[] = [$country, $name];
            // The directory knows Texas by its code and by its name.
            $region->setName(in_array($name, ['TX', 'Texas'], true) && $country === 'US' ? 'Texas' : null);
        });
        $json = $this->getMockBuilder(Json::class)->disableOriginalConstructor()->setMethods(['serialize'])->getMock();
        $json->method('serialize')->willReturnCallback(fn ($value) => json_encode($value));
        return new OrderLoader(
            ...[
                ...array_slice($factories, 0, 5),
                ...array_slice($factories, 5, 3),
                $this->creating(ShippingAssignmentInterfaceFactory::class, fn () => new DataObject()),
                $this->creating(ShippingInterfaceFactory::class, fn () => new DataObject()),
                $this->creating(PaymentAdditionalInfoInterfaceFactory::class, fn () => new DataObject()),
                $this->creating(RegionFactory::class, fn () => new DataObject()),
                $regions,
                $json,
            ]
        );
    }

    /**
     * A factory of a class Magento has or generates, whose create() answers $create().
     *
     * @param string $class
     * @param callable $create
     * @return MockObject
     */
    private function creating(string $class, callable $create): MockObject
    {
        $factory = $this->getMockBuilder($class)->disableOriginalConstructor()->setMethods(['create'])->getMock();
        $factory->method('create')->willReturnCallback($create);
        return $factory;
    }

    /**
     * Two orders of a customer: each gets its own lines, addresses, payment and history, read in one query each.
     *
     * @return void
     */
    public function testReadsEachKindOnceForAllOrders(): void
    {
        $shippingAddress = new DataObject(['city' => 'Austin']);
        $orders = [
            new Order(['entity_id' => '12', 'extension_attributes' => new DataObject(),
                'shipping_address' => $shippingAddress, 'shipping_method' => 'flatrate_flatrate']),
            new Order(['entity_id' => '11', 'extension_attributes' => new DataObject()]),
        ];
        $this->collections[OrderCollectionFactory::class] = new FakeCollection($orders, 30);
        $this->collections[ItemCollectionFactory::class] = new FakeCollection([
            new DataObject(['item_id' => 1, 'order_id' => '11']),
            new DataObject(['item_id' => 2, 'order_id' => '12']),
            new DataObject(['item_id' => 3, 'order_id' => '12']),
        ]);
        $this->collections[AddressCollectionFactory::class] = new FakeCollection([
            new DataObject(['parent_id' => '11', 'country_id' => 'US', 'region' => 'TX']),
            new DataObject(['parent_id' => '12', 'country_id' => 'US', 'region' => 'TX']),
            new DataObject(['parent_id' => '12', 'country_id' => 'FR', 'region' => 'Corse']),
        ]);
        $this->collections[PaymentCollectionFactory::class] = new FakeCollection([
            new Payment(['parent_id' => '12', 'additional_information' => ['method_title' => 'Check', 'n' => [1]]]),
        ]);
        $history = $this->collections[HistoryCollectionFactory::class] = new FakeCollection([
            new DataObject(['entity_id' => 7, 'parent_id' => '11']),
        ]);

        [$loaded, $count] = $this->loader()->newest(['customer_id' => 5], 2);

        self::assertSame($orders, $loaded);
        self::assertSame(30, $count);
        $found = $this->collections[OrderCollectionFactory::class];
        self::assertSame([['customer_id', 5]], $found->filters);
        self::assertSame([['created_at', 'DESC']], $found->orders);
        self::assertSame(2, $found->pageSize);
        foreach (
            [
                ItemCollectionFactory::class => 'order_id', AddressCollectionFactory::class => 'parent_id',
                PaymentCollectionFactory::class => 'parent_id', HistoryCollectionFactory::class => 'parent_id',
            ] as $class => $column
        ) {
            self::assertSame([[$column, ['in' => [12, 11]]]], $this->collections[$class]->filters, $class);
        }
        self::assertSame([['created_at', 'DESC'], ['entity_id', 'DESC']], $history->orders);

        [$newer, $older] = $orders;
        self::assertSame([2, 3], array_map(fn ($item) => $item->getItemId(), $newer->getItems()));
        self::assertSame([1], array_map(fn ($item) => $item->getItemId(), $older->getItems()));
        self::assertSame($older, $older->getItems()[0]->getOrder());
        self::assertSame(['Texas', 'Corse'], array_map(fn ($a) => $a->getRegion(), $newer->getAddresses()));
        self::assertSame(['Texas'], array_map(fn ($a) => $a->getRegion(), $older->getAddresses()));
        // One directory read per country and stored region, not per address.
        self::assertSame([['US', 'TX'], ['FR', 'Corse']], $this->regionLookups);
        self::assertSame([7], array_map(fn ($h) => $h->getEntityId(), $older->getStatusHistories()));
        self::assertSame([], $newer->getStatusHistories());
        self::assertSame('Check', $newer->getPayment()->getAdditionalInformation('method_title'));
        self::assertNull($older->getPayment());

        [$assignment] = $newer->getExtensionAttributes()->getShippingAssignments();
        self::assertSame($shippingAddress, $assignment->getShipping()->getAddress());
        self::assertSame('flatrate_flatrate', $assignment->getShipping()->getMethod());
        self::assertSame($newer->getItems(), $assignment->getItems());
        [$none] = $older->getExtensionAttributes()->getShippingAssignments();
        self::assertNull($none->getShipping()->getAddress());
        $info = array_map(
            fn ($i) => [$i->getKey(), $i->getValue()],
            $newer->getExtensionAttributes()->getPaymentAdditionalInfo()
        );
        self::assertSame([['method_title', 'Check'], ['n', '[1]']], $info);
        self::assertSame([], $older->getExtensionAttributes()->getPaymentAdditionalInfo());
    }

    /**
     * Fewer orders than the limit are all the orders: no count query; no orders, no other read.
     *
     * @return void
     */
    public function testCountsWithoutAQueryBelowTheLimit(): void
    {
        $orders = $this->getMockBuilder(FakeCollection::class)->setConstructorArgs([[
            new Order(['entity_id' => '11', 'extension_attributes' => new DataObject()]),
        ]])->onlyMethods(['getSize'])->getMock();
        $orders->expects(self::never())->method('getSize');
        $this->collections[OrderCollectionFactory::class] = $orders;

        self::assertSame(1, $this->loader()->newest(['customer_email' => 'a@example.com'], 20)[1]);

        $this->collections = [];
        self::assertSame([[], 0], $this->loader()->newest(['customer_id' => 5], 20));
        self::assertSame([], $this->collections[ItemCollectionFactory::class]->filters);
    }

    /**
     * The shipments of the orders, with their lines and tracks read once for all of them.
     *
     * @return void
     */
    public function testShipmentsGetTheirLinesAndTracks(): void
    {
        $shipments = [new DataObject(['entity_id' => '3']), new DataObject(['entity_id' => '4'])];
        $this->collections[ShipmentCollectionFactory::class] = new FakeCollection($shipments);
        $this->collections[ShipmentItemCollectionFactory::class] = new FakeCollection([
            new DataObject(['entity_id' => 30, 'parent_id' => '3']),
        ]);
        $this->collections[TrackCollectionFactory::class] = new FakeCollection([
            new DataObject(['track_number' => 'T4', 'parent_id' => '4']),
        ]);
        $loader = $this->loader();

        self::assertSame($shipments, $loader->shipments([11, 12], 300));

        $found = $this->collections[ShipmentCollectionFactory::class];
        self::assertSame([['order_id', ['in' => [11, 12]]]], $found->filters);
        self::assertSame(300, $found->pageSize);
        self::assertSame([['parent_id', ['in' => [3, 4]]]], $this->collections[TrackCollectionFactory::class]->filters);
        [$first, $second] = $shipments;
        self::assertSame([30], array_map(fn ($i) => $i->getEntityId(), $first->getItems()));
        self::assertSame([], $first->getTracks());
        self::assertSame([], $second->getItems());
        self::assertSame(['T4'], array_map(fn ($t) => $t->getTrackNumber(), $second->getTracks()));
        self::assertSame($second, $second->getTracks()[0]->getShipment());
        self::assertSame([], $loader->shipments([], 300));
    }
}
