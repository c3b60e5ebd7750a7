<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Order;

use Gladly\Connector\Api\ShippingAddressManagementInterface;
use Magento\Directory\Api\CountryInformationAcquirerInterface;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\Event\ManagerInterface;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Sales\Api\Data\OrderAddressInterface;
use Magento\Sales\Api\OrderAddressRepositoryInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Model\Order;

/**
 * Changes the shipping address of an order that has not shipped, as the admin's "Edit" address form does,
 * but behind its own narrow ACL resource instead of the stock route's Magento_Sales::create.
 */
class ShippingAddressManagement implements ShippingAddressManagementInterface
{
    /**
     * States in which the order is finished: nothing left to ship to a new address.
     */
    private const FINAL_STATES = [Order::STATE_COMPLETE, Order::STATE_CLOSED, Order::STATE_CANCELED];

    /**
     * Fields copied from the request onto the order's address, with their labels when required; the
     * region is resolved separately.
     */
    private const FIELDS = [
        'firstname' => 'First Name',
        'lastname' => 'Last Name',
        'company' => '',
        'street' => 'Street Address',
        'city' => 'City',
        'postcode' => 'Zip/Postal Code',
        'country_id' => 'Country',
        'telephone' => 'Phone Number',
    ];

    private OrderRepositoryInterface $orderRepository;

    private OrderAddressRepositoryInterface $addressRepository;

    private CountryInformationAcquirerInterface $countries;

    private ManagerInterface $eventManager;

    private ResourceConnection $resourceConnection;

    /**
     * Keep the repositories, the directory of countries and regions, the event manager and the connections.
     *
     * @param OrderRepositoryInterface $orderRepository
     * @param OrderAddressRepositoryInterface $addressRepository
     * @param CountryInformationAcquirerInterface $countries
     * @param ManagerInterface $eventManager
     * @param ResourceConnection $resourceConnection
     */
    public function __construct(
        OrderRepositoryInterface $orderRepository,
        OrderAddressRepositoryInterface $addressRepository,
        CountryInformationAcquirerInterface $countries,
        ManagerInterface $eventManager,
        ResourceConnection $resourceConnection
    ) {
        $this->orderRepository = $orderRepository;
        $this->addressRepository = $addressRepository;
        $this->countries = $countries;
        $this->eventManager = $eventManager;
        $this->resourceConnection = $resourceConnection;
    }

    /**
     * @inheritdoc
     */
    public function update(int $orderId, OrderAddressInterface $address, string $note = ''): OrderAddressInterface
    {
        $order = $this->orderRepository->get($orderId);
        $current = $this->changeableAddress($order);
        $values = $this->values($address);
        $before = $this->format($current);
        $current->addData($values);
        $this->applyRegion($current, $address);
        if ($this->format($current) === $before) {
            throw new LocalizedException(
                __('The new address is the same as the current one; nothing was changed.')
            );
        }
        $saved = $this->save($order, $current, $before, $note);
        // As the admin's AddressSave controller does: refreshes the order grid's address columns.
        $this->eventManager->dispatch('admin_sales_order_address_update', ['order_id' => $order->getEntityId()]);
        return $saved;
    }

    /**
     * Save the address and the order with its history comment in one transaction: both or neither.
     *
     * Orders and their addresses live on the "sales" connection (Magento\Sales\Model\ResourceModel\EntityAbstract),
     * whose adapter nests the repositories' own transactions inside this one.
     *
     * @param Order $order
     * @param Order\Address $address
     * @param string $before The old address, formatted.
     * @param string $note
     * @return OrderAddressInterface
     * @throws \Throwable the failed save's error, after the rollback
     */
    private function save(Order $order, Order\Address $address, string $before, string $note): OrderAddressInterface
    {
        $connection = $this->resourceConnection->getConnection('sales');
        $connection->beginTransaction();
        try {
            $saved = $this->addressRepository->save($address);
            $order->addCommentToStatusHistory((string) __(
                "Shipping address changed%1.\nWas: %2\nNow: %3",
                $note === '' ? '' : ' ' . trim($note),
                $before,
                $this->format($saved)
            ));
            $this->orderRepository->save($order);
            $connection->commit();
        } catch (\Throwable $e) {
            $connection->rollBack();
            throw $e;
        }
        return $saved;
    }

    /**
     * Return the order's shipping address, or refuse when the order cannot take a new one.
     *
     * @param \Magento\Sales\Api\Data\OrderInterface $order
     * @return Order\Address
     * @throws LocalizedException
     */
    private function changeableAddress($order): Order\Address
    {
        $number = $order->getIncrementId();
        if (!$order instanceof Order || $order->getIsVirtual() || !$order->getShippingAddress()) {
            throw new LocalizedException(__('Order %1 has no shipping address: nothing in it ships.', $number));
        }
        if (in_array($order->getState(), self::FINAL_STATES, true)) {
            throw new LocalizedException(
                __('Order %1 is %2; its shipping address can no longer be changed.', $number, $order->getState())
            );
        }
        if ($order->hasShipments()) {
            throw new LocalizedException(__(
                'Order %1 has already shipped (in part or in full); its shipping address can no longer be changed.',
                $number
            ));
        }
        return $order->getShippingAddress();
    }

    /**
     * Set the region from the typed code or name: a known region of the country when it has a list.
     *
     * @param Order\Address $target
     * @param OrderAddressInterface $request
     * @return void
     * @throws LocalizedException
     */
    private function applyRegion(Order\Address $target, OrderAddressInterface $request): void
    {
        // Order\Address::getRegionCode() derives the code from region_id, so the typed text comes as "region".
        $typed = trim((string) ($request->getRegion() ?: $request->getRegionCode()));
        try {
            $country = $this->countries->getCountryInfo((string) $target->getCountryId());
        } catch (NoSuchEntityException $e) {
            throw new LocalizedException(
                __('"%1" is not a country this store ships to; enter its two-letter code.', $target->getCountryId())
            );
        }
        $regions = $country->getAvailableRegions() ?: [];
        if ($regions === []) {
            $target->setRegionId(null);
            $target->setRegionCode(null);
            $target->setRegion($typed === '' ? null : $typed);
            return;
        }
        foreach ($regions as $region) {
            $names = [(string) $region->getCode(), (string) $region->getName()];
            if (in_array(strtolower($typed), array_map('strtolower', $names), true)) {
                $target->setRegionId((int) $region->getId());
                $target->setRegionCode((string) $region->getCode());
                $target->setRegion((string) $region->getName());
                return;
            }
        }
        $codes = array_map(static fn ($region): string => (string) $region->getCode(), $regions);
        throw new LocalizedException(
            __('"%1" is not a region of %2; enter one of: %3.', $typed, $target->getCountryId(), implode(', ', $codes))
        );
    }

    /**
     * Read the request's fields as Magento stores them (trimmed, street lines without blanks), or refuse
     * naming every required field left empty.
     *
     * @param OrderAddressInterface $address
     * @return array<string, string|string[]|null>
     * @throws LocalizedException
     */
    private function values(OrderAddressInterface $address): array
    {
        $street = $address->getStreet();
        $lines = array_map('trim', is_array($street) ? $street : explode("\n", (string) $street));
        $values = [
            'firstname' => trim((string) $address->getFirstname()),
            'lastname' => trim((string) $address->getLastname()),
            'company' => trim((string) $address->getCompany()),
            'street' => array_values(array_filter($lines, static fn (string $line): bool => $line !== '')),
            'city' => trim((string) $address->getCity()),
            'postcode' => trim((string) $address->getPostcode()),
            'country_id' => strtoupper(trim((string) $address->getCountryId())),
            'telephone' => trim((string) $address->getTelephone()),
        ];
        $missing = [];
        foreach (self::FIELDS as $field => $label) {
            if ($label !== '' && ($values[$field] === '' || $values[$field] === [])) {
                $missing[] = $label;
            }
        }
        if ($missing !== []) {
            throw new LocalizedException(__('Enter the new address in full; missing: %1.', implode(', ', $missing)));
        }
        $values['company'] = $values['company'] === '' ? null : $values['company'];
        return $values;
    }

    /**
     * Format an address on one line for the order comment.
     *
     * @param OrderAddressInterface $address
     * @return string
     */
    private function format(OrderAddressInterface $address): string
    {
        $street = $address->getStreet();
        $parts = [
            trim($address->getFirstname() . ' ' . $address->getLastname()),
            (string) $address->getCompany(),
            implode(', ', is_array($street) ? $street : [(string) $street]),
            (string) $address->getCity(),
            trim($address->getRegion() . ' ' . $address->getPostcode()),
            (string) $address->getCountryId(),
            (string) $address->getTelephone(),
        ];
        return implode(', ', array_filter($parts, static fn (string $part): bool => $part !== ''));
    }
}
