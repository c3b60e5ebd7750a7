<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Order;

use Gladly\Connector\Model\Order\ShippingAddressManagement;
use Gladly\Connector\Test\Unit\MagentoMocks;
use Magento\Directory\Api\CountryInformationAcquirerInterface;
use Magento\Directory\Api\Data\CountryInformationInterface;
use Magento\Directory\Api\Data\RegionInformationInterface;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\AdapterInterface;
use Magento\Framework\Event\ManagerInterface;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Sales\Api\OrderAddressRepositoryInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Model\Order;
use Magento\Sales\Model\Order\Address;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

/**
 * Tests PUT /V1/gladly/orders/:orderId/shipping-address: the change, its record, and every refusal.
 */
class ShippingAddressManagementTest extends TestCase
{
    use MagentoMocks;

    private const CURRENT = [
        'firstname' => 'Jane', 'lastname' => 'Doe', 'street' => ['123 Oak Ave'], 'city' => 'Austin',
        'region' => 'Texas', 'region_id' => 57, 'region_code' => 'TX', 'postcode' => '78701',
        'country_id' => 'US', 'telephone' => '512-555-1111', 'address_type' => 'shipping',
    ];

    private const NEW = [
        'firstname' => ' Jane ', 'lastname' => 'Doe', 'street' => ['500 Market St', ' ', 'Floor 2'],
        'city' => 'San Francisco', 'region' => 'ca', 'postcode' => '94105', 'country_id' => 'us',
        'telephone' => '415-555-0134',
    ];

    /**
     * @var OrderRepositoryInterface&MockObject
     */
    private $orders;

    /**
     * @var OrderAddressRepositoryInterface&MockObject
     */
    private $addresses;

    /**
     * @var ManagerInterface&MockObject
     */
    private $events;

    /**
     * @var AdapterInterface&MockObject
     */
    private $connection;

    /**
     * @var Order&MockObject
     */
    private $order;

    /**
     * What the mocked order answers: entity_id, increment_id, state, is_virtual, has_shipments.
     *
     * @var array<string, mixed>
     */
    private array $orderData = [
        'entity_id' => 12, 'increment_id' => '000000012', 'state' => 'processing', 'is_virtual' => 0,
        'has_shipments' => false,
    ];

    /**
     * The comments added to the order's status history.
     *
     * @var string[]
     */
    private array $comments = [];

    /**
     * @var Address&MockObject
     */
    private $shipping;

    private ShippingAddressManagement $management;

    /**
     * An open, unshipped order in Texas; a directory that knows the US states used and Germany (no list).
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->shipping = $this->model(Address::class, self::CURRENT);
        $this->order = $this->createMock(Order::class);
        foreach (
            [
                'getEntityId' => 'entity_id', 'getIncrementId' => 'increment_id', 'getState' => 'state',
                'getIsVirtual' => 'is_virtual', 'hasShipments' => 'has_shipments',
            ] as $getter => $field
        ) {
            $this->order->method($getter)->willReturnCallback(fn () => $this->orderData[$field]);
        }
        $this->order->method('getShippingAddress')->willReturn($this->shipping);
        $this->order->method('addCommentToStatusHistory')->willReturnCallback(function (string $comment): Order {
            $this->comments[] = $comment;
            return $this->order;
        });
        $this->orders = $this->createMock(OrderRepositoryInterface::class);
        $this->orders->method('get')->with(12)->willReturn($this->order);
        $this->addresses = $this->createMock(OrderAddressRepositoryInterface::class);
        $this->addresses->method('save')->willReturnArgument(0);
        $this->events = $this->createMock(ManagerInterface::class);
        $countries = $this->createMock(CountryInformationAcquirerInterface::class);
        $countries->method('getCountryInfo')->willReturnCallback(function (string $id): CountryInformationInterface {
            $regions = ['US' => [[57, 'TX', 'Texas'], [12, 'CA', 'California']], 'DE' => []];
            if (!isset($regions[$id])) {
                throw new NoSuchEntityException(__('Requested country is not available.'));
            }
            $country = $this->createMock(CountryInformationInterface::class);
            $country->method('getAvailableRegions')->willReturn(array_map([$this, 'region'], $regions[$id]));
            return $country;
        });
        $this->connection = $this->createMock(AdapterInterface::class);
        $resources = $this->createMock(ResourceConnection::class);
        // Orders and addresses are on the "sales" connection (Magento\Sales\Model\ResourceModel\EntityAbstract).
        $resources->method('getConnection')->with('sales')->willReturn($this->connection);
        $this->management = new ShippingAddressManagement(
            $this->orders,
            $this->addresses,
            $countries,
            $this->events,
            $resources
        );
    }

    /**
     * The address is replaced (region resolved from its code), the grid refreshed, the change commented.
     *
     * @return void
     */
    public function testChangesTheAddressAndRecordsOldAndNew(): void
    {
        $this->addresses->expects(self::once())->method('save')->with($this->shipping);
        $this->orders->expects(self::once())->method('save')->with($this->order);
        $this->events->expects(self::once())->method('dispatch')
            ->with('admin_sales_order_address_update', ['order_id' => 12]);
        $this->connection->expects(self::once())->method('beginTransaction');
        $this->connection->expects(self::once())->method('commit');
        $this->connection->expects(self::never())->method('rollBack');

        $saved = $this->management->update(12, $this->model(Address::class, self::NEW), 'from Gladly by agent 7');

        self::assertSame($this->shipping, $saved);
        self::assertSame(
            ['Jane', ['500 Market St', 'Floor 2'], 'San Francisco', 'US', 12, 'CA', 'California', 'shipping'],
            [
                $saved->getFirstname(), $saved->getStreet(), $saved->getCity(), $saved->getCountryId(),
                $saved->getData('region_id'), $saved->getRegionCode(), $saved->getRegion(),
                $saved->getData('address_type'),
            ]
        );
        self::assertSame(
            ["Shipping address changed from Gladly by agent 7.\n"
                . "Was: Jane Doe, 123 Oak Ave, Austin, Texas 78701, US, 512-555-1111\n"
                . "Now: Jane Doe, 500 Market St, Floor 2, San Francisco, California 94105, US, 415-555-0134"],
            $this->comments
        );
    }

    /**
     * When the order (with its comment) cannot be saved, the address save is rolled back with it.
     *
     * @return void
     */
    public function testAFailedOrderSaveRollsTheAddressBack(): void
    {
        $failure = new \RuntimeException('Deadlock found when trying to get lock');
        $this->addresses->expects(self::once())->method('save');
        $this->orders->expects(self::once())->method('save')->willThrowException($failure);
        $this->connection->expects(self::once())->method('beginTransaction');
        $this->connection->expects(self::never())->method('commit');
        $this->connection->expects(self::once())->method('rollBack');
        $this->events->expects(self::never())->method('dispatch');

        try {
            $this->management->update(12, $this->model(Address::class, self::NEW));
            self::fail('no error');
        } catch (\RuntimeException $e) {
            self::assertSame($failure, $e);
        }
    }

    /**
     * When the address cannot be saved, nothing is saved and the transaction is rolled back.
     *
     * @return void
     */
    public function testAFailedAddressSaveSavesNothing(): void
    {
        $this->addresses->method('save')->willThrowException(new LocalizedException(__('Invalid address')));
        $this->orders->expects(self::never())->method('save');
        $this->connection->expects(self::once())->method('rollBack');
        $this->connection->expects(self::never())->method('commit');

        $this->expectExceptionMessage('Invalid address');
        $this->management->update(12, $this->model(Address::class, self::NEW));
    }

    /**
     * A country without a region list keeps the typed region as text.
     *
     * @return void
     */
    public function testCountryWithoutRegionListKeepsTheTypedRegion(): void
    {
        $new = ['country_id' => 'DE', 'region' => 'Berlin', 'postcode' => '10115'];
        $saved = $this->management->update(12, $this->model(Address::class, $new + self::NEW));

        self::assertSame(
            ['Berlin', null, null],
            [$saved->getRegion(), $saved->getRegionCode(), $saved->getData('region_id')]
        );
        self::assertStringStartsWith("Shipping address changed.\n", $this->comments[0]);
    }

    /**
     * Orders that cannot take a new address, and requests that cannot be one.
     *
     * @return array<string, array{array<string, mixed>, array<string, mixed>, string}>
     */
    public function refusals(): array
    {
        return [
            'shipped' => [['has_shipments' => true], [], 'Order 000000012 has already shipped (in part or in full)'],
            'complete' => [['state' => 'complete'], [], 'Order 000000012 is complete; its shipping address'],
            'closed' => [['state' => 'closed'], [], 'Order 000000012 is closed'],
            'canceled' => [['state' => 'canceled'], [], 'Order 000000012 is canceled'],
            'virtual' => [['is_virtual' => 1], [], 'Order 000000012 has no shipping address'],
            'missing fields' => [[], ['city' => ' ', 'street' => []], 'missing: Street Address, City.'],
            'unknown region' => [[], ['region' => 'Tx.'], '"Tx." is not a region of US; enter one of: TX, CA.'],
            'unknown country' => [[], ['country_id' => 'XX'], '"XX" is not a country this store ships to'],
            'unchanged' => [[], self::CURRENT, 'The new address is the same as the current one'],
        ];
    }

    /**
     * Each refusal is a clear 400 and changes nothing.
     *
     * @dataProvider refusals
     * @param array<string, mixed> $order
     * @param array<string, mixed> $address
     * @param string $message
     * @return void
     */
    public function testRefuses(array $order, array $address, string $message): void
    {
        $this->orderData = $order + $this->orderData;
        $this->addresses->expects(self::never())->method('save');
        $this->orders->expects(self::never())->method('save');
        $this->events->expects(self::never())->method('dispatch');

        try {
            $this->management->update(12, $this->model(Address::class, $address + self::NEW));
            self::fail('no refusal');
        } catch (LocalizedException $e) {
            self::assertNotInstanceOf(NoSuchEntityException::class, $e);
            self::assertStringContainsString($message, $e->getMessage());
        }
        self::assertSame([], $this->comments);
    }

    /**
     * A directory region.
     *
     * @param array{int, string, string} $row
     * @return RegionInformationInterface
     */
    public function region(array $row): RegionInformationInterface
    {
        $region = $this->createMock(RegionInformationInterface::class);
        $region->method('getId')->willReturn((string) $row[0]);
        $region->method('getCode')->willReturn($row[1]);
        $region->method('getName')->willReturn($row[2]);
        return $region;
    }
}
