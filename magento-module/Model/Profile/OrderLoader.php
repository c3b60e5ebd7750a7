<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Profile;

use Magento\Directory\Model\RegionFactory;
use Magento\Directory\Model\ResourceModel\Region as RegionResource;
use Magento\Framework\Serialize\Serializer\Json;
use Magento\Payment\Api\Data\PaymentAdditionalInfoInterfaceFactory;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Sales\Api\Data\OrderPaymentInterface;
use Magento\Sales\Api\Data\ShipmentInterface;
use Magento\Sales\Api\Data\ShippingAssignmentInterfaceFactory;
use Magento\Sales\Api\Data\ShippingInterfaceFactory;
use Magento\Sales\Model\Order;
use Magento\Sales\Model\ResourceModel\Order\Address\CollectionFactory as AddressCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\CollectionFactory as OrderCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Item\CollectionFactory as ItemCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Payment\CollectionFactory as PaymentCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Shipment\CollectionFactory as ShipmentCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Shipment\Item\CollectionFactory as ShipmentItemCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Shipment\Track\CollectionFactory as TrackCollectionFactory;
use Magento\Sales\Model\ResourceModel\Order\Status\History\CollectionFactory as HistoryCollectionFactory;

/**
 * The newest orders of a shopper as GET /V1/orders gives them, and their shipments as GET /V1/shipments gives
 * them, in a fixed number of queries.
 *
 * OrderRepository::getList loads each order's lines, addresses, payment and status history in queries of their
 * own (about thirty per order with its plugins' tax and gift-message reads); this loader reads each kind once for
 * all the orders (filtered on the indexed parent column) and hands them to the orders, so the web API's
 * serializer finds them loaded. It sets the extension attributes the bridge reads (shipping assignments, payment
 * additional info) as OrderRepository::getList does, from the orders in hand. The shipments' lines and tracks
 * are read alike.
 */
class OrderLoader
{
    private OrderCollectionFactory $orderCollections;

    private ItemCollectionFactory $itemCollections;

    private AddressCollectionFactory $addressCollections;

    private PaymentCollectionFactory $paymentCollections;

    private HistoryCollectionFactory $historyCollections;

    private ShipmentCollectionFactory $shipmentCollections;

    private ShipmentItemCollectionFactory $shipmentItemCollections;

    private TrackCollectionFactory $trackCollections;

    private ShippingAssignmentInterfaceFactory $assignmentFactory;

    private ShippingInterfaceFactory $shippingFactory;

    private PaymentAdditionalInfoInterfaceFactory $additionalInfoFactory;

    private RegionFactory $regionFactory;

    private RegionResource $regionResource;

    private Json $json;

    /** @var array<string, string> region names by country and stored region, read once per request */
    private array $regionNames = [];

    /**
     * Keep the collection factories and the builders of the extension attributes.
     *
     * @param OrderCollectionFactory $orderCollections
     * @param ItemCollectionFactory $itemCollections
     * @param AddressCollectionFactory $addressCollections
     * @param PaymentCollectionFactory $paymentCollections
     * @param HistoryCollectionFactory $historyCollections
     * @param ShipmentCollectionFactory $shipmentCollections
     * @param ShipmentItemCollectionFactory $shipmentItemCollections
     * @param TrackCollectionFactory $trackCollections
     * @param ShippingAssignmentInterfaceFactory $assignmentFactory
     * @param ShippingInterfaceFactory $shippingFactory
     * @param PaymentAdditionalInfoInterfaceFactory $additionalInfoFactory
     * @param RegionFactory $regionFactory
     * @param RegionResource $regionResource
     * @param Json $json
     */
    public function __construct(
        OrderCollectionFactory $orderCollections,
        ItemCollectionFactory $itemCollections,
        AddressCollectionFactory $addressCollections,
        PaymentCollectionFactory $paymentCollections,
        HistoryCollectionFactory $historyCollections,
        ShipmentCollectionFactory $shipmentCollections,
        ShipmentItemCollectionFactory $shipmentItemCollections,
        TrackCollectionFactory $trackCollections,
        ShippingAssignmentInterfaceFactory $assignmentFactory,
        ShippingInterfaceFactory $shippingFactory,
        PaymentAdditionalInfoInterfaceFactory $additionalInfoFactory,
        RegionFactory $regionFactory,
        RegionResource $regionResource,
        Json $json
    ) {
        $this->orderCollections = $orderCollections;
        $this->itemCollections = $itemCollections;
        $this->addressCollections = $addressCollections;
        $this->paymentCollections = $paymentCollections;
        $this->historyCollections = $historyCollections;
        $this->shipmentCollections = $shipmentCollections;
        $this->shipmentItemCollections = $shipmentItemCollections;
        $this->trackCollections = $trackCollections;
        $this->assignmentFactory = $assignmentFactory;
        $this->shippingFactory = $shippingFactory;
        $this->additionalInfoFactory = $additionalInfoFactory;
        $this->regionFactory = $regionFactory;
        $this->regionResource = $regionResource;
        $this->json = $json;
    }

    /**
     * The newest $limit orders matching every column => value of $owner, newest first, and how many match.
     *
     * @param array<string, string|int> $owner
     * @param int $limit
     * @return array{0: OrderInterface[], 1: int}
     */
    public function newest(array $owner, int $limit): array
    {
        $collection = $this->orderCollections->create();
        foreach ($owner as $field => $value) {
            $collection->addFieldToFilter($field, $value);
        }
        $collection->setOrder('created_at', 'DESC')->setPageSize($limit)->setCurPage(1);
        /** @var Order[] $orders */
        $orders = array_values($collection->getItems());
        if (!$orders) {
            return [[], 0];
        }
        $byId = [];
        foreach ($orders as $order) {
            $byId[(int) $order->getEntityId()] = $order;
        }
        $ids = array_keys($byId);
        $items = $this->grouped($this->itemCollections->create(), 'order_id', $ids);
        $addresses = $this->grouped($this->addressCollections->create(), 'parent_id', $ids);
        $payments = $this->grouped($this->paymentCollections->create(), 'parent_id', $ids);
        // Order::getStatusHistoryCollection's order.
        $histories = $this->grouped(
            $this->historyCollections->create()->setOrder('created_at', 'DESC')->setOrder('entity_id', 'DESC'),
            'parent_id',
            $ids
        );
        foreach ($byId as $id => $order) {
            $this->attach($order, $items[$id] ?? [], $addresses[$id] ?? [], $histories[$id] ?? []);
            if (isset($payments[$id])) {
                $order->setPayment(reset($payments[$id]));
            }
            $extension = $order->getExtensionAttributes();
            $extension->setShippingAssignments([$this->shippingAssignment($order)]);
            $extension->setPaymentAdditionalInfo($this->additionalInfo($order->getPayment()));
            $order->setExtensionAttributes($extension);
        }
        return [$orders, count($orders) < $limit ? count($orders) : (int) $collection->getSize()];
    }

    /**
     * The shipments of the given orders, at most $limit, with their lines and tracks; none without orders.
     *
     * @param int[] $orderIds
     * @param int $limit
     * @return ShipmentInterface[]
     */
    public function shipments(array $orderIds, int $limit): array
    {
        if (!$orderIds) {
            return [];
        }
        $collection = $this->shipmentCollections->create()->addFieldToFilter('order_id', ['in' => $orderIds]);
        /** @var \Magento\Sales\Model\Order\Shipment[] $shipments */
        $shipments = array_values($collection->setPageSize($limit)->setCurPage(1)->getItems());
        if (!$shipments) {
            return [];
        }
        $ids = array_map(fn ($shipment): int => (int) $shipment->getEntityId(), $shipments);
        $items = $this->grouped($this->shipmentItemCollections->create(), 'parent_id', $ids);
        $tracks = $this->grouped($this->trackCollections->create(), 'parent_id', $ids);
        foreach ($shipments as $shipment) {
            $id = (int) $shipment->getEntityId();
            foreach ([...$items[$id] ?? [], ...$tracks[$id] ?? []] as $record) {
                $record->setShipment($shipment);
            }
            // Shipment::getItems and getTracks read these keys before their own collections.
            $shipment->setData(ShipmentInterface::ITEMS, $items[$id] ?? []);
            $shipment->setData(ShipmentInterface::TRACKS, $tracks[$id] ?? []);
        }
        return $shipments;
    }

    /**
     * The records of a collection whose $column is one of $ids, grouped by that column.
     *
     * @param \Magento\Framework\Data\Collection\AbstractDb $collection
     * @param string $column
     * @param int[] $ids
     * @return array<int, \Magento\Framework\DataObject[]>
     */
    private function grouped($collection, string $column, array $ids): array
    {
        $grouped = [];
        foreach ($collection->addFieldToFilter($column, ['in' => $ids])->getItems() as $record) {
            $grouped[(int) $record->getData($column)][] = $record;
        }
        return $grouped;
    }

    /**
     * Hand an order its lines, addresses and status history, as its own lazy getters would read them.
     *
     * @param Order $order
     * @param \Magento\Sales\Model\Order\Item[] $items
     * @param \Magento\Sales\Model\Order\Address[] $addresses
     * @param \Magento\Sales\Model\Order\Status\History[] $histories
     * @return void
     */
    private function attach(Order $order, array $items, array $addresses, array $histories): void
    {
        foreach ($items as $item) {
            $item->setOrder($order);
        }
        foreach ($addresses as $address) {
            // Order::getAddressesCollection's normalization: a region stored by code or name reads as its name.
            $name = $this->regionName((string) $address->getCountryId(), (string) $address->getRegion());
            if ($name !== '') {
                $address->setRegion($name);
            }
            $address->setOrder($order);
        }
        foreach ($histories as $history) {
            $history->setOrder($order);
        }
        $order->setData(OrderInterface::ITEMS, $items);
        $order->setData('addresses', $addresses);
        $order->setData(OrderInterface::STATUS_HISTORIES, $histories);
    }

    /**
     * The directory's name of a region stored as $region in $countryId, or '' when it has none.
     *
     * @param string $countryId
     * @param string $region
     * @return string
     */
    private function regionName(string $countryId, string $region): string
    {
        $key = $countryId . "\n" . $region;
        if (!isset($this->regionNames[$key])) {
            $model = $this->regionFactory->create();
            $this->regionResource->loadByName($model, $region, $countryId);
            $this->regionNames[$key] = (string) $model->getName();
        }
        return $this->regionNames[$key];
    }

    /**
     * The order's one shipping assignment as Magento\Sales\Model\Order\ShippingAssignmentBuilder makes it, from
     * the order in hand (the builder loads the order again, twice on 2.4.6): the shipping address and method,
     * the lines and the stock; not the shipping totals, which the bridge does not read.
     *
     * @param Order $order
     * @return \Magento\Sales\Api\Data\ShippingAssignmentInterface
     */
    private function shippingAssignment(Order $order)
    {
        $shipping = $this->shippingFactory->create();
        $address = $order->getShippingAddress();
        if ($address) {
            $shipping->setAddress($address);
        }
        $shipping->setMethod($order->getShippingMethod());
        $assignment = $this->assignmentFactory->create();
        $assignment->setShipping($shipping);
        $assignment->setItems($order->getItems());
        $assignment->setStockId($order->getStockId());
        return $assignment;
    }

    /**
     * OrderRepository::getList's payment_additional_info: each key and value of the payment's additional
     * information, a value that is not a string JSON-encoded.
     *
     * @param OrderPaymentInterface|null $payment
     * @return \Magento\Payment\Api\Data\PaymentAdditionalInfoInterface[]
     */
    private function additionalInfo(?OrderPaymentInterface $payment): array
    {
        $objects = [];
        foreach (($payment ? $payment->getAdditionalInformation() : null) ?: [] as $key => $value) {
            $info = $this->additionalInfoFactory->create();
            $info->setKey((string) $key);
            $info->setValue(is_string($value) ? $value : (string) $this->json->serialize($value));
            $objects[] = $info;
        }
        return $objects;
    }
}
