<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Profile;

use Gladly\Connector\Api\Data\OrderTotalInterfaceFactory;
use Gladly\Connector\Api\Data\ProfileInterfaceFactory;
use Gladly\Connector\Api\Data\ProfileProductInterfaceFactory;
use Gladly\Connector\Model\Data\OrderTotal;
use Gladly\Connector\Model\Data\Profile;
use Gladly\Connector\Model\Data\ProfileProduct;
use Gladly\Connector\Model\Profile\OrderLoader;
use Gladly\Connector\Model\Profile\ProfileReader;
use Gladly\Connector\Test\Unit\MagentoMocks;
use Magento\Catalog\Model\Product;
use Magento\Catalog\Model\ResourceModel\Product\Collection as ProductCollection;
use Magento\Catalog\Model\ResourceModel\Product\CollectionFactory as ProductCollectionFactory;
use Magento\Customer\Api\CustomerRepositoryInterface;
use Magento\Customer\Api\Data\CustomerInterface;
use Magento\Framework\Api\AttributeValueFactory;
use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\Api\SearchCriteriaInterface;
use Magento\Framework\Api\SearchResultsInterface;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Exception\AuthorizationException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Phrase;
use Magento\Sales\Api\CreditmemoRepositoryInterface;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Sales\Api\Data\OrderItemInterface;
use Magento\Sales\Model\ResourceModel\Order\Collection;
use Magento\Sales\Model\ResourceModel\Order\CollectionFactory;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

/**
 * Tests GET /V1/gladly/profile: the ACL it requires, and which records it reads with which filters.
 */
class ProfileReaderTest extends TestCase
{
    use MagentoMocks;

    /** @var array<int, array{string, mixed, string}> filters added to the criteria builder, in order */
    private array $filters = [];

    /** @var AuthorizationInterface&MockObject */
    private $authorization;

    /** @var CustomerRepositoryInterface&MockObject */
    private $customers;

    /** @var OrderLoader&MockObject */
    private $orders;

    /** @var CreditmemoRepositoryInterface&MockObject */
    private $creditMemos;

    /** @var ProductCollection&MockObject */
    private $products;

    /** @var Collection&MockObject */
    private $collection;

    /**
     * Build the collaborators: every resource granted, the criteria builder recording its filters.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->authorization = $this->createMock(AuthorizationInterface::class);
        $this->authorization->method('isAllowed')->willReturn(true);
        $this->customers = $this->createMock(CustomerRepositoryInterface::class);
        $this->orders = $this->createMock(OrderLoader::class);
        $this->creditMemos = $this->createMock(CreditmemoRepositoryInterface::class);
        $this->products = $this->createMock(ProductCollection::class);
        $this->products->method('addIdFilter')->willReturnSelf();
        $this->products->method('addAttributeToSelect')->willReturnSelf();
        $this->collection = $this->createMock(Collection::class);
        $this->collection->method('addFieldToSelect')->willReturnSelf();
        $this->collection->method('addFieldToFilter')->willReturnSelf();
        $this->collection->method('setOrder')->willReturnSelf();
    }

    /**
     * The reader under test.
     *
     * @return ProfileReader
     */
    private function reader(): ProfileReader
    {
        $builder = $this->createMock(SearchCriteriaBuilder::class);
        $builder->method('addFilter')->willReturnCallback(function ($field, $value, $condition) use ($builder) {
            $this->filters[] = [$field, $value, $condition];
            return $builder;
        });
        $builder->method('setPageSize')->willReturnSelf();
        $builder->method('setCurrentPage')->willReturnSelf();
        $builder->method('create')->willReturnCallback(fn () => $this->createMock(SearchCriteriaInterface::class));
        $productCollections = $this->createMock(ProductCollectionFactory::class);
        $productCollections->method('create')->willReturn($this->products);
        $factory = $this->createMock(CollectionFactory::class);
        $factory->method('create')->willReturn($this->collection);
        return new ProfileReader(
            $this->authorization,
            $this->customers,
            $this->orders,
            $this->creditMemos,
            $productCollections,
            $builder,
            $factory,
            $this->dataFactory(ProfileInterfaceFactory::class, Profile::class),
            $this->dataFactory(OrderTotalInterfaceFactory::class, OrderTotal::class),
            $this->dataFactory(ProfileProductInterfaceFactory::class, ProfileProduct::class),
            new AttributeValueFactory()
        );
    }

    /**
     * A search result holding $items out of $total.
     *
     * @param array $items
     * @param int|null $total
     * @return SearchResultsInterface&MockObject
     */
    private function found(array $items, ?int $total = null): SearchResultsInterface
    {
        $result = $this->createMock(SearchResultsInterface::class);
        $result->method('getItems')->willReturn($items);
        $result->method('getTotalCount')->willReturn($total ?? count($items));
        return $result;
    }

    /**
     * An order with lines of [parent_item_id, product_id].
     *
     * @param int $id
     * @param float $refunded
     * @param array<int, array{int|null, int|null}> $lines
     * @return OrderInterface&MockObject
     */
    private function order(int $id, float $refunded, array $lines): OrderInterface
    {
        $items = [];
        foreach ($lines as [$parent, $product]) {
            $item = $this->createMock(OrderItemInterface::class);
            $item->method('getParentItemId')->willReturn($parent);
            $item->method('getProductId')->willReturn($product);
            $items[] = $item;
        }
        $order = $this->createMock(OrderInterface::class);
        $order->method('getEntityId')->willReturn($id);
        $order->method('getTotalRefunded')->willReturn($refunded);
        $order->method('getItems')->willReturn($items);
        return $order;
    }

    /**
     * A customer's profile: the orders, their shipments, the refunded ones' memos and the visible lines' products.
     *
     * @return void
     */
    public function testCustomerProfileReadsEachRecordOnce(): void
    {
        $customer = $this->createMock(CustomerInterface::class);
        $this->customers->expects(self::once())->method('getById')->with(7)->willReturn($customer);
        $orders = [$this->order(11, 0.0, [[null, 5], [null, 6], [100, 60]]), $this->order(12, 12.5, [[null, 5]])];
        $this->orders->expects(self::once())->method('newest')->with(['customer_id' => 7], 20)
            ->willReturn([$orders, 2]);
        $shipment = new \stdClass();
        $memo = new \stdClass();
        $this->orders->expects(self::once())->method('shipments')->with([11, 12], ProfileReader::MAX_PAGE_SIZE)
            ->willReturn([$shipment]);
        $this->creditMemos->expects(self::once())->method('getList')->willReturn($this->found([$memo]));
        $this->products->expects(self::once())->method('addIdFilter')->with([5, 6])->willReturnSelf();
        $this->products->method('getItems')->willReturn([5 => new Product([
            'entity_id' => '5', 'status' => '1', 'visibility' => '4', 'url_key' => 'tee', 'image' => '/t/e/tee.jpg',
            'name' => 'Tee',
        ])]);
        $this->collection->expects(self::never())->method('getData');

        $profile = $this->reader()->get(7, '', 20);

        self::assertSame($customer, $profile->getCustomer());
        self::assertSame($orders, $profile->getOrders());
        self::assertSame(2, $profile->getOrderCount());
        self::assertSame([], $profile->getTotals());
        self::assertSame([$shipment], $profile->getShipments());
        self::assertSame([$memo], $profile->getCreditMemos());
        [$product] = $profile->getProducts();
        self::assertSame([5, 1, 4], [$product->getId(), $product->getStatus(), $product->getVisibility()]);
        $attributes = array_map(fn ($a) => [$a->getAttributeCode(), $a->getValue()], $product->getCustomAttributes());
        self::assertSame([['url_key', 'tee'], ['image', '/t/e/tee.jpg']], $attributes);
        self::assertSame([['order_id', [12], 'in']], $this->filters);
    }

    /**
     * A guest's orders are found by e-mail among guest orders; more orders than the limit bring every order's money.
     *
     * @return void
     */
    public function testGuestWithMoreOrdersThanTheLimitGetsTheTotals(): void
    {
        $this->customers->expects(self::never())->method('getById');
        $guest = ['customer_email' => 'guest@example.com', 'customer_is_guest' => 1];
        $this->orders->method('newest')->with($guest, 1)->willReturn([[$this->order(11, 0.0, [])], 3]);
        $this->orders->method('shipments')->with([11])->willReturn([]);
        $this->creditMemos->expects(self::never())->method('getList');
        $this->products->expects(self::never())->method('getItems');
        $this->collection->expects(self::once())->method('addFieldToSelect')->with(ProfileReader::TOTAL_COLUMNS);
        $this->collection->method('getData')->willReturn([
            ['entity_id' => '1', 'state' => 'complete', 'store_id' => '2', 'grand_total' => '10.5000'],
            ['entity_id' => '2', 'state' => 'canceled', 'store_id' => '1', 'grand_total' => null],
        ]);

        $profile = $this->reader()->get(0, 'guest@example.com', 1);

        self::assertSame(3, $profile->getOrderCount());
        self::assertSame(['complete', 'canceled'], array_map(fn ($t) => $t->getState(), $profile->getTotals()));
        self::assertSame([10.5, null], array_map(fn ($t) => $t->getGrandTotal(), $profile->getTotals()));
        self::assertSame([2, 1], array_map(fn ($t) => $t->getStoreId(), $profile->getTotals()));
    }

    /**
     * An unknown customer, or no shopper at all, is an empty profile, read from nothing else.
     *
     * @return void
     */
    public function testUnknownCustomerIsAnEmptyProfile(): void
    {
        $this->customers->method('getById')->willThrowException(new NoSuchEntityException(new Phrase('none')));
        $this->orders->expects(self::never())->method('newest');

        foreach ([$this->reader()->get(99), $this->reader()->get()] as $profile) {
            self::assertNull($profile->getCustomer());
            self::assertSame([], $profile->getOrders());
            self::assertSame(0, $profile->getOrderCount());
        }
    }

    /**
     * Each missing resource of the stock routes is named in Magento's own refusal, before anything is read.
     *
     * @return void
     */
    public function testEveryStockResourceIsRequired(): void
    {
        $this->authorization = $this->createMock(AuthorizationInterface::class);
        $this->authorization->method('isAllowed')->willReturnCallback(
            fn (string $resource) => !in_array($resource, ['Magento_Customer::customer', 'Magento_Sales::shipment'])
        );
        $this->customers->expects(self::never())->method('getById');
        $this->orders->expects(self::never())->method('newest');

        try {
            $this->reader()->get(7);
            self::fail('A token without Magento_Sales::shipment must be refused.');
        } catch (AuthorizationException $refused) {
            self::assertSame("The consumer isn't authorized to access %resources.", $refused->getRawMessage());
            self::assertSame(
                'The consumer isn\'t authorized to access Magento_Customer::customer, Magento_Sales::shipment.',
                $refused->getMessage()
            );
        }
    }

    /**
     * A guest's profile does not need the customer resource (GET /V1/customers/{id} is not part of it).
     *
     * @return void
     */
    public function testGuestProfileNeedsNoCustomerResource(): void
    {
        $this->authorization = $this->createMock(AuthorizationInterface::class);
        $this->authorization->method('isAllowed')->willReturnCallback(
            fn (string $resource) => $resource !== 'Magento_Customer::customer'
        );
        $this->orders->method('newest')->willReturn([[], 0]);

        self::assertSame(0, $this->reader()->get(0, 'guest@example.com')->getOrderCount());
    }
}
