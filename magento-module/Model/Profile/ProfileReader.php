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
use Gladly\Connector\Api\Data\ProfileProductInterface;
use Gladly\Connector\Api\Data\ProfileProductInterfaceFactory;
use Gladly\Connector\Api\ProfileReaderInterface;
use Magento\Catalog\Model\ResourceModel\Product\CollectionFactory as ProductCollectionFactory;
use Magento\Customer\Api\CustomerRepositoryInterface;
use Magento\Framework\Api\AttributeValueFactory;
use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Exception\AuthorizationException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Sales\Api\CreditmemoRepositoryInterface;
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

    private OrderLoader $orders;

    private CreditmemoRepositoryInterface $creditMemos;

    private ProductCollectionFactory $productCollections;

    private SearchCriteriaBuilder $criteriaBuilder;

    private OrderCollectionFactory $orderCollectionFactory;

    private ProfileInterfaceFactory $profileFactory;

    private OrderTotalInterfaceFactory $orderTotalFactory;

    private ProfileProductInterfaceFactory $productFactory;

    private AttributeValueFactory $attributeFactory;

    /**
     * Keep the ACL check, the stock repositories, the order loader, the criteria builder and the reply's factories.
     *
     * @param AuthorizationInterface $authorization
     * @param CustomerRepositoryInterface $customers
     * @param OrderLoader $orders
     * @param CreditmemoRepositoryInterface $creditMemos
     * @param ProductCollectionFactory $productCollections
     * @param SearchCriteriaBuilder $criteriaBuilder
     * @param OrderCollectionFactory $orderCollectionFactory
     * @param ProfileInterfaceFactory $profileFactory
     * @param OrderTotalInterfaceFactory $orderTotalFactory
     * @param ProfileProductInterfaceFactory $productFactory
     * @param AttributeValueFactory $attributeFactory
     */
    public function __construct(
        AuthorizationInterface $authorization,
        CustomerRepositoryInterface $customers,
        OrderLoader $orders,
        CreditmemoRepositoryInterface $creditMemos,
        ProductCollectionFactory $productCollections,
        SearchCriteriaBuilder $criteriaBuilder,
        OrderCollectionFactory $orderCollectionFactory,
        ProfileInterfaceFactory $profileFactory,
        OrderTotalInterfaceFactory $orderTotalFactory,
        ProfileProductInterfaceFactory $productFactory,
        AttributeValueFactory $attributeFactory
    ) {
        $this->authorization = $authorization;
        $this->customers = $customers;
        $this->orders = $orders;
        $this->creditMemos = $creditMemos;
        $this->productCollections = $productCollections;
        $this->criteriaBuilder = $criteriaBuilder;
        $this->orderCollectionFactory = $orderCollectionFactory;
        $this->profileFactory = $profileFactory;
        $this->orderTotalFactory = $orderTotalFactory;
        $this->productFactory = $productFactory;
        $this->attributeFactory = $attributeFactory;
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
        [$orders, $orderCount] = $this->orders->newest($owner, $orderLimit);

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
            'shipments' => $this->orders->shipments($orderIds, self::MAX_PAGE_SIZE),
            'creditMemos' => $this->creditMemos($refundedIds),
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
     * The credit memos of the given orders, in one read; none without orders.
     *
     * @param int[] $orderIds
     * @return \Magento\Sales\Api\Data\CreditmemoInterface[]
     */
    private function creditMemos(array $orderIds): array
    {
        if (!$orderIds) {
            return [];
        }
        $criteria = $this->criteriaBuilder->addFilter('order_id', $orderIds, 'in')
            ->setPageSize(self::MAX_PAGE_SIZE)
            ->setCurrentPage(1)
            ->create();
        return array_values($this->creditMemos->getList($criteria)->getItems());
    }

    /**
     * The catalog products of the given ids that exist, with what a lookup reads of them, in one read of the
     * product table and one of each attribute table (ProductRepository::getList would load each in full).
     *
     * @param int[] $productIds
     * @return ProfileProductInterface[]
     */
    private function productsById(array $productIds): array
    {
        if (!$productIds) {
            return [];
        }
        $collection = $this->productCollections->create();
        $collection->addIdFilter($productIds)
            ->addAttributeToSelect(['status', 'visibility', ...ProfileProductInterface::ATTRIBUTES]);
        $products = [];
        foreach ($collection->getItems() as $product) {
            $attributes = [];
            foreach (ProfileProductInterface::ATTRIBUTES as $code) {
                $value = $product->getData($code);
                if ($value !== null) {
                    $attributes[] = $this->attributeFactory->create()->setAttributeCode($code)->setValue($value);
                }
            }
            $products[] = $this->productFactory->create([
                'id' => (int) $product->getId(),
                'status' => $this->number($product->getData('status')),
                'visibility' => $this->number($product->getData('visibility')),
                'attributes' => $attributes,
            ]);
        }
        return $products;
    }

    /**
     * An attribute's value as a number, or null when it has none.
     *
     * @param mixed $value
     * @return int|null
     */
    private function number($value): ?int
    {
        return is_numeric($value) ? (int) $value : null;
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
