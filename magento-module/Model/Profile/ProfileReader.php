<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Profile;

use Gladly\Connector\Api\Data\OrderTotalInterfaceFactory;
use Gladly\Connector\Api\Data\ProfileInterface;
use Gladly\Connector\Api\Data\ProfileInterfaceFactory;
use Gladly\Connector\Api\ProfileReaderInterface;
use Magento\Catalog\Api\ProductRepositoryInterface;
use Magento\Customer\Api\CustomerRepositoryInterface;
use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\Api\SortOrderBuilder;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Exception\AuthorizationException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Sales\Api\CreditmemoRepositoryInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Api\ShipmentRepositoryInterface;
use Magento\Sales\Model\ResourceModel\Order\CollectionFactory as OrderCollectionFactory;

/**
 * Answers GET /V1/gladly/profile: the stock routes' reads of one detailed lookup, in one request.
 *
 * Every read filters on an indexed column (customer_id, or e-mail for guests as GET /V1/orders does, order_id,
 * entity_id) and is bounded by the caller's order limit, as the bridge's stock call plan is.
 */
class ProfileReader implements ProfileReaderInterface
{
    /**
     * The ACL resources of the stock routes this one replaces: GET /V1/orders, /V1/shipments, /V1/creditmemos and
     * /V1/products. webapi.xml ORs a route's resources, so the service requires each itself.
     */
    public const RESOURCES = [
        'Magento_Sales::actions_view',
        'Magento_Sales::shipment',
        'Magento_Sales::sales_creditmemo',
        'Magento_Catalog::products',
    ];

    /** GET /V1/customers/{id}'s resource, needed when the profile is a registered customer's. */
    public const CUSTOMER_RESOURCE = 'Magento_Customer::customer';

    /** Magento's largest page (the 2.4.7+ input limit); the stock plan asks no more per call. */
    public const MAX_PAGE_SIZE = 300;

    /** The columns of GET /V1/orders that the lifetime value reads. */
    public const TOTAL_COLUMNS = [
        'state', 'created_at', 'store_id', 'grand_total', 'total_refunded', 'base_grand_total',
        'base_total_refunded', 'order_currency_code', 'base_currency_code',
    ];

    private AuthorizationInterface $authorization;

    private CustomerRepositoryInterface $customers;

    private OrderRepositoryInterface $orders;

    private ShipmentRepositoryInterface $shipments;

    private CreditmemoRepositoryInterface $creditMemos;

    private ProductRepositoryInterface $products;

    private SearchCriteriaBuilder $criteriaBuilder;

    private SortOrderBuilder $sortOrderBuilder;

    private OrderCollectionFactory $orderCollectionFactory;

    private ProfileInterfaceFactory $profileFactory;

    private OrderTotalInterfaceFactory $orderTotalFactory;

    /**
     * Keep the ACL check, the stock repositories, the criteria builders and the factories of the reply.
     *
     * @param AuthorizationInterface $authorization
     * @param CustomerRepositoryInterface $customers
     * @param OrderRepositoryInterface $orders
     * @param ShipmentRepositoryInterface $shipments
     * @param CreditmemoRepositoryInterface $creditMemos
     * @param ProductRepositoryInterface $products
     * @param SearchCriteriaBuilder $criteriaBuilder
     * @param SortOrderBuilder $sortOrderBuilder
     * @param OrderCollectionFactory $orderCollectionFactory
     * @param ProfileInterfaceFactory $profileFactory
     * @param OrderTotalInterfaceFactory $orderTotalFactory
     */
    public function __construct(
        AuthorizationInterface $authorization,
        CustomerRepositoryInterface $customers,
        OrderRepositoryInterface $orders,
        ShipmentRepositoryInterface $shipments,
        CreditmemoRepositoryInterface $creditMemos,
        ProductRepositoryInterface $products,
        SearchCriteriaBuilder $criteriaBuilder,
        SortOrderBuilder $sortOrderBuilder,
        OrderCollectionFactory $orderCollectionFactory,
        ProfileInterfaceFactory $profileFactory,
        OrderTotalInterfaceFactory $orderTotalFactory
    ) {
        $this->authorization = $authorization;
        $this->customers = $customers;
        $this->orders = $orders;
        $this->shipments = $shipments;
        $this->creditMemos = $creditMemos;
        $this->products = $products;
        $this->criteriaBuilder = $criteriaBuilder;
        $this->sortOrderBuilder = $sortOrderBuilder;
        $this->orderCollectionFactory = $orderCollectionFactory;
        $this->profileFactory = $profileFactory;
        $this->orderTotalFactory = $orderTotalFactory;
    }

    /**
     * @inheritdoc
     */
    public function get(int $customerId = 0, string $email = '', int $orderLimit = 20): ProfileInterface
    {
        $this->authorize($customerId > 0 ? [self::CUSTOMER_RESOURCE, ...self::RESOURCES] : self::RESOURCES);
        $customer = null;
        if ($customerId > 0) {
            try {
                $customer = $this->customers->getById($customerId);
            } catch (NoSuchEntityException $unknown) {
                return $this->profileFactory->create([]);
            }
            $owner = ['customer_id' => $customerId];
        } elseif ($email !== '') {
            // Guest orders have no customer_id: the shopper's guest orders under that e-mail.
            $owner = ['customer_email' => $email, 'customer_is_guest' => 1];
        } else {
            return $this->profileFactory->create([]);
        }

        $orderLimit = max(1, min($orderLimit, self::MAX_PAGE_SIZE));
        $found = $this->orders->getList($this->criteria($owner)
            ->addSortOrder($this->sortOrderBuilder->setField('created_at')->setDescendingDirection()->create())
            ->setPageSize($orderLimit)
            ->setCurrentPage(1)
            ->create());
        $orders = array_values($found->getItems());
        $orderCount = (int) $found->getTotalCount();

        $orderIds = [];
        $refundedIds = [];
        $productIds = [];
        foreach ($orders as $order) {
            $orderIds[] = (int) $order->getEntityId();
            if ((float) $order->getTotalRefunded() > 0) {
                $refundedIds[] = (int) $order->getEntityId();
            }
            foreach ($order->getItems() ?: [] as $item) {
                // A configurable product counts once, as its parent line (the bridge shows only those).
                if (!$item->getParentItemId() && $item->getProductId()) {
                    $productIds[(int) $item->getProductId()] = true;
                }
            }
        }

        return $this->profileFactory->create([
            'customer' => $customer,
            'orders' => $orders,
            'orderCount' => $orderCount,
            'totals' => $orderCount > count($orders) ? $this->totals($owner) : [],
            'shipments' => $this->byOrderIds($this->shipments, $orderIds),
            'creditMemos' => $this->byOrderIds($this->creditMemos, $refundedIds),
            'products' => $this->productsById(array_keys($productIds)),
        ]);
    }

    /**
     * Refuse, as Magento's web API does, unless the caller holds every resource.
     *
     * @param string[] $resources
     * @return void
     * @throws AuthorizationException
     */
    private function authorize(array $resources): void
    {
        $missing = array_values(array_filter(
            $resources,
            fn (string $resource): bool => !$this->authorization->isAllowed($resource)
        ));
        if ($missing) {
            // Magento\Webapi\Controller\Rest\RequestValidator's own refusal, which the web API answers with 401.
            throw new AuthorizationException(
                __("The consumer isn't authorized to access %resources.", ['resources' => implode(', ', $missing)])
            );
        }
    }

    /**
     * Start a search criteria filtered on every column => value of $filters (ANDed).
     *
     * @param array<string, string|int|int[]> $filters
     * @return SearchCriteriaBuilder
     */
    private function criteria(array $filters): SearchCriteriaBuilder
    {
        foreach ($filters as $field => $value) {
            $this->criteriaBuilder->addFilter($field, $value, is_array($value) ? 'in' : 'eq');
        }
        return $this->criteriaBuilder;
    }

    /**
     * The shipments (tracks embedded) or credit memos of the given orders, in one read; none without orders.
     *
     * @param ShipmentRepositoryInterface|CreditmemoRepositoryInterface $repository
     * @param int[] $orderIds
     * @return array
     */
    private function byOrderIds($repository, array $orderIds): array
    {
        if (!$orderIds) {
            return [];
        }
        $criteria = $this->criteria(['order_id' => $orderIds])->setPageSize(self::MAX_PAGE_SIZE)->setCurrentPage(1);
        return array_values($repository->getList($criteria->create())->getItems());
    }

    /**
     * The catalog products of the given ids that exist, in one read.
     *
     * @param int[] $productIds
     * @return \Magento\Catalog\Api\Data\ProductInterface[]
     */
    private function productsById(array $productIds): array
    {
        if (!$productIds) {
            return [];
        }
        $criteria = $this->criteria(['entity_id' => $productIds])->setPageSize(count($productIds))->setCurrentPage(1);
        return array_values($this->products->getList($criteria->create())->getItems());
    }

    /**
     * The money fields of every order of the shopper, oldest first: nine columns of sales_order, without loading
     * the orders (GET /V1/orders would load each in full).
     *
     * @param array<string, string|int> $owner
     * @return \Gladly\Connector\Api\Data\OrderTotalInterface[]
     */
    private function totals(array $owner): array
    {
        $collection = $this->orderCollectionFactory->create();
        $collection->addFieldToSelect(self::TOTAL_COLUMNS);
        foreach ($owner as $field => $value) {
            $collection->addFieldToFilter($field, $value);
        }
        $collection->setOrder('entity_id', 'ASC');
        return array_map(fn (array $row) => $this->orderTotalFactory->create(['row' => $row]), $collection->getData());
    }
}
